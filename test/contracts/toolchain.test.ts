import { expect } from "chai";
import { network } from "hardhat";

describe("toolchain: Solidity on the in-process EVM", function () {
  it("compiles and deploys an OpenZeppelin ERC-20 and transfers with it", async function () {
    const { ethers } = await network.create();
    const [deployer, recipient] = await ethers.getSigners();
    if (!deployer || !recipient) throw new Error("the in-process network has no accounts");
    const supply = 1_000n * 10n ** 18n;

    const token = await ethers.deployContract("SmokeToken", [supply]);

    await expect(token.transfer(recipient.address, 5n)).to.emit(token, "Transfer").withArgs(deployer.address, recipient.address, 5n);
    expect(await token.balanceOf(recipient.address)).to.equal(5n);
    expect(await token.totalSupply()).to.equal(supply);
  });
});
