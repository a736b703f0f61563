/** protoc-gen-cloudstate's parameters, parsed strictly: an unknown key or a bad value is an error naming it. */
export interface PluginOptions {
  /** Module the generated code imports the runtime from. Default `cloudstate-ts`. */
  readonly runtimeImport: string;
  /** Also emit `<file>_cloudstate_starter.ts`, an implementation to copy and fill in. Default false. */
  readonly starter: boolean;
  /**
   * Also run ts-proto, with the option set the runtime relies on, for the messages and service definitions.
   * Default true; false only where ts-proto's output comes from elsewhere (this repository's golden tests).
   */
  readonly tsProto: boolean;
}

const DEFAULTS: PluginOptions = { runtimeImport: "cloudstate-ts", starter: false, tsProto: true };

function parseBoolean(key: string, value: string): boolean {
  if (value === "" || value === "true") return true;
  if (value === "false") return false;
  throw new Error(`option ${key} takes true or false, got "${value}"`);
}

/** Parses `key=value,key=value` as protoc and buf pass it. */
export function parseOptions(parameter: string | undefined): PluginOptions {
  let options = { ...DEFAULTS };
  for (const part of (parameter ?? "").split(",")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const value = eq < 0 ? "" : part.slice(eq + 1).trim();
    switch (key) {
      case "runtime_import":
        if (value === "") throw new Error("option runtime_import needs a module name");
        options = { ...options, runtimeImport: value };
        break;
      case "starter":
        options = { ...options, starter: parseBoolean(key, value) };
        break;
      case "ts_proto":
        options = { ...options, tsProto: parseBoolean(key, value) };
        break;
      default:
        throw new Error(
          `unknown option "${key}" (known: runtime_import, starter, ts_proto; ts-proto's own options are set by this plugin)`,
        );
    }
  }
  return options;
}
