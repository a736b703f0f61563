/**
 * The proxy's container command line and the choice of where the proxy comes from, without running an engine:
 * host network on Linux (same loopback ports, the user function on 127.0.0.1), published ports and the engine's
 * host alias elsewhere, JVM options as the image's start script takes them; Maven first, the image when asked or
 * when Maven cannot resolve, and --fixes refused with an image.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { proxyContainerCommand, proxyImage } from "../../devkit/launch/proxy-image.js";
import { chooseProxySource } from "../../devkit/launch/proxy-source.js";

const base = {
  image: "cloudstateio/cloudstate-proxy-core:0.6.0",
  name: "cloudstate-proxy-1-9000",
  env: { HTTP_PORT: "9000", USER_FUNCTION_HOST: "127.0.0.1", USER_FUNCTION_PORT: "8080" },
  jvmOptions: ["-Dconfig.resource=dev-mode.conf", "-Xmx256m"],
  ports: [9000],
};

describe("the proxy from its image", () => {
  it("on the host's network: the environment as given, -D as is, other JVM options as -J", () => {
    const { command, args } = proxyContainerCommand({ ...base, engine: "podman", hostNetwork: true });
    assert.equal(command, "podman");
    assert.deepEqual(args, [
      "run",
      "--rm",
      "--name",
      "cloudstate-proxy-1-9000",
      "--network",
      "host",
      "--env",
      "HTTP_PORT=9000",
      "--env",
      "USER_FUNCTION_HOST=127.0.0.1",
      "--env",
      "USER_FUNCTION_PORT=8080",
      "cloudstateio/cloudstate-proxy-core:0.6.0",
      "-Dconfig.resource=dev-mode.conf",
      "-J-Xmx256m",
    ]);
  });

  it("without a host network: ports published on loopback, the user function through the host alias", () => {
    const { args } = proxyContainerCommand({ ...base, engine: "docker", hostNetwork: false });
    assert.ok(args.includes("127.0.0.1:9000:9000"));
    assert.ok(args.includes("USER_FUNCTION_HOST=host.docker.internal"));
    assert.ok(args.includes("host.docker.internal:host-gateway"));
    assert.ok(args.includes("-Dcloudstate.proxy.http-interface=0.0.0.0"));
    assert.ok(!args.includes("host"));
  });

  it("without a host network: a database on the host's loopback through the alias; the caller's interface wins", () => {
    const { args } = proxyContainerCommand({
      ...base,
      engine: "podman",
      hostNetwork: false,
      env: { ...base.env, POSTGRES_SERVICE: "localhost" },
      jvmOptions: [
        "-Dcloudstate.proxy.http-interface=127.0.0.1",
        "-Dconfig.resource=dev-mode.conf",
        "-Dcloudstate.proxy.http-interface=10.0.0.7",
      ],
    });
    assert.ok(args.includes("POSTGRES_SERVICE=host.containers.internal"));
    assert.ok(args.includes("USER_FUNCTION_HOST=host.containers.internal"));
    const interfaces = args.filter((arg) => arg.startsWith("-Dcloudstate.proxy.http-interface="));
    assert.deepEqual(interfaces, [
      "-Dcloudstate.proxy.http-interface=0.0.0.0",
      "-Dcloudstate.proxy.http-interface=10.0.0.7",
    ]);
    const remote = proxyContainerCommand({
      ...base,
      engine: "podman",
      hostNetwork: false,
      env: { ...base.env, POSTGRES_SERVICE: "db.example" },
    }).args;
    assert.ok(remote.includes("POSTGRES_SERVICE=db.example"), "a database elsewhere keeps its name");
  });

  it("names the 0.6.0 images, overridable by environment variables", () => {
    assert.equal(proxyImage("dev"), "cloudstateio/cloudstate-proxy-core:0.6.0");
    assert.equal(proxyImage("postgres"), "cloudstateio/cloudstate-proxy-postgres:0.6.0");
    process.env["CLOUDSTATE_POSTGRES_PROXY_IMAGE"] = "example/proxy:1";
    try {
      assert.equal(proxyImage("postgres"), "example/proxy:1");
    } finally {
      delete process.env["CLOUDSTATE_POSTGRES_PROXY_IMAGE"];
    }
  });

  it("refuses --fixes from an image, and a wrong CLOUDSTATE_PROXY_SOURCE", () => {
    assert.throws(
      () => chooseProxySource({ flavour: "dev", fixes: true, source: "image" }),
      /only on Maven's classpath: no image has it/,
    );
    process.env["CLOUDSTATE_PROXY_SOURCE"] = "docker";
    try {
      assert.throws(() => chooseProxySource({ flavour: "dev", fixes: false }), /must be auto, maven or image/);
    } finally {
      delete process.env["CLOUDSTATE_PROXY_SOURCE"];
    }
  });
});
