/** Where a peer listens: HOST and PORT from the environment, as the benchmark starts it. */
export function peerAddress(): string {
  return `${process.env["HOST"] ?? "127.0.0.1"}:${process.env["PORT"] ?? "8080"}`;
}
