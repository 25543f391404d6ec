import { loadConfig } from "../../oracle/config.ts";
import { findOrStartRedis, type RedisHandle } from "../../oracle/operator/redis-server.ts";

let shared: Promise<RedisHandle> | undefined;

/**
 * The Redis that tests share: REDIS_URL when set (CI sets it), else 127.0.0.1:6379, else a private
 * `redis-server` that ends with the test process. Tests that wipe, restart or kill Redis must use
 * `startRedisServer()` instead and leave the shared one alone.
 */
export function sharedRedis(): Promise<RedisHandle> {
  shared ??= findOrStartRedis(loadConfig().REDIS_URL);
  return shared;
}
