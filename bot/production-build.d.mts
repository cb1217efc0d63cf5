// Types of bot/production-build.mjs (plain JavaScript so it runs before anything is compiled).
export declare const projectDir: string;
export declare const serverBundle: string;
export declare function buildServer(): Promise<void>;
export declare function bundleModule(entry: string, outfile: string): Promise<string[]>;
export declare function isBuildStale(): boolean;
