// The log every part of the data plane writes to: an object, then a message (pino's order, so
// the server's logger and `parapet agent`'s fit as they are). A leaf, so that the agent and the
// modules it runs (sshd.ts, conntrack.ts, ...) never import each other for it.
export interface AgentLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
