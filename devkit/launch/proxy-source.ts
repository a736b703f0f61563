/**
 * Where the proxy comes from: the JVM on the classpath Maven resolves from `io.cloudstate` coordinates (a local
 * `~/.m2` filled from builds of the 0.6.0 sources), or the proxy's container image with podman or Docker (how
 * Cloudstate shipped it to users). By default Maven first, the image when the coordinates do not resolve.
 */
import { proxyClasspath, type ProxyFlavour } from "./maven.js";
import { findContainerEngine, proxyImage, type ContainerEngine } from "./proxy-image.js";

/** `auto` (Maven, else the image), `maven` or `image`. */
export type ProxySource = "auto" | "maven" | "image";

/** What to run: a classpath, or an image with an engine. */
export type ChosenProxySource =
  | { readonly kind: "maven"; readonly classpath: string }
  | { readonly kind: "image"; readonly engine: ContainerEngine; readonly image: string };

/** What {@link chooseProxySource} decides from. */
export interface ProxySourceOptions {
  /** Development mode or PostgreSQL. */
  readonly flavour: ProxyFlavour;
  /** The fixes artifact first on the classpath: Maven only (it is not in any image). */
  readonly fixes: boolean;
  /** Default: `CLOUDSTATE_PROXY_SOURCE`, else `auto`. */
  readonly source?: ProxySource;
  /** The image; default {@link proxyImage} of the flavour. */
  readonly image?: string;
}

function sourceFromEnv(): ProxySource {
  const given = process.env["CLOUDSTATE_PROXY_SOURCE"];
  if (given === undefined || given === "") return "auto";
  if (given === "auto" || given === "maven" || given === "image") return given;
  throw new Error(`CLOUDSTATE_PROXY_SOURCE must be auto, maven or image, not "${given}"`);
}

const INSTALL_AN_ENGINE =
  "Install podman or Docker (the proxy then runs from its image), or put the 0.6.0 proxy into ~/.m2 under " +
  "io.cloudstate:cloudstate-proxy-core_2.13:0.6.0, or set CLOUDSTATE_PROXY_CLASSPATH to its jars.";

/** Decides where the proxy comes from; throws one message saying what to install when nothing can provide it. */
export function chooseProxySource(options: ProxySourceOptions): ChosenProxySource {
  const source = options.source ?? sourceFromEnv();
  const image = options.image ?? proxyImage(options.flavour);
  const fromImage = (why: string): ChosenProxySource => {
    if (options.fixes) {
      throw new Error(
        `${why}, and the fixes artifact (--fixes) is only on Maven's classpath: no image has it. ` +
          "Run without --fixes, or put io.cloudstate:cloudstate-proxy-fixes_2.13:0.6.0 into ~/.m2.",
      );
    }
    const search = findContainerEngine();
    if (search.engine === undefined) {
      throw new Error(
        `${why}, and no container engine can run its image ${image} (${search.problems.join("; ")}).\n${INSTALL_AN_ENGINE}`,
      );
    }
    return { kind: "image", engine: search.engine, image };
  };
  if (source === "image") return fromImage("The proxy was asked for from its image");
  if (source === "maven") return { kind: "maven", classpath: proxyClasspath(options) };
  try {
    return { kind: "maven", classpath: proxyClasspath(options) };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return fromImage(`The proxy's Maven coordinates do not resolve (${reason})`);
  }
}
