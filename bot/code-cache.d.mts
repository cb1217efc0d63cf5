// Types of bot/code-cache.mjs (plain JavaScript so it runs before anything is compiled).
export declare function codeCacheFile(bundle: string): string;
export declare function runWithCodeCache(bundle: string): {
  exports: Record<string, unknown>;
  /** none: no cache for this build; used; rejected: V8 refused it (another Node version or other flags). */
  cache: 'none' | 'used' | 'rejected';
  /** Writes the cache when there was none to use; true when it did. */
  saveCodeCache(): boolean;
};
