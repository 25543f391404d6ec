import { readFile } from "node:fs/promises";

import { Wallet, type Provider } from "ethers";

import { ConfigError } from "../errors.ts";

/** Where an actor's key comes from: a raw key, or an encrypted JSON keystore and its password. */
export interface KeySource {
  readonly privateKey?: string | undefined;
  readonly keystore?: string | undefined;
  readonly keystorePassword?: string | undefined;
}

/**
 * The actor's wallet, connected to `provider`. Neither the key nor the password ever appear in an
 * error message.
 * @throws {ConfigError} when no key is given, the keystore cannot be read, or the password is wrong.
 */
export async function loadWallet(source: KeySource, provider: Provider): Promise<Wallet> {
  if (source.privateKey) return new Wallet(source.privateKey, provider);
  if (!source.keystore) throw new ConfigError("no key: set ORACLE_PRIVATE_KEY, or KEYSTORE and KEYSTORE_PASSWORD");
  let json: string;
  try {
    json = await readFile(source.keystore, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read keystore ${source.keystore}`, { cause: err });
  }
  try {
    const wallet = await Wallet.fromEncryptedJson(json, source.keystorePassword ?? "");
    if (!(wallet instanceof Wallet)) throw new ConfigError(`keystore ${source.keystore} holds an HD wallet; export one account`);
    return wallet.connect(provider);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`cannot decrypt keystore ${source.keystore} (wrong KEYSTORE_PASSWORD?)`);
  }
}
