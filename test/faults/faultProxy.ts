import { createServer, request as httpRequest, Agent, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A small HTTP proxy in front of Azurite's table endpoint that injects the faults a store shows in
 * production: a connection dropped before the request reaches the store, or after the store
 * applied it (the client never hears the answer); a slow answer; an error status instead of the
 * store's answer (429, 500, 503 without touching the store; 409 or 412 after the store applied a
 * `$batch`, as when a retried write meets its own first attempt); and an outage, when every request
 * for a while fails at the connection.
 *
 * Faults are rules: a rule matches requests by method and path and fires on some of them (the
 * n-th matching request, counted from 1), so a scenario is deterministic for a deterministic client.
 */
export type Fault =
  /** The connection is closed before the request is forwarded: the store never sees it. */
  | { readonly kind: 'drop-before' }
  /** The request is forwarded and answered; the answer is thrown away and the connection closed. */
  | { readonly kind: 'drop-after' }
  /** The request is forwarded after `ms`. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** The store's answer is held for `ms` after it applied the request (past the client's timeout: the write happened, the client gave up). */
  | { readonly kind: 'slow-answer'; readonly ms: number }
  /** Answered with `status` without forwarding (429, 500, 503: nothing applied). */
  | { readonly kind: 'status'; readonly status: number; readonly headers?: Readonly<Record<string, string>> }
  /** Forwarded and applied, then answered with `status` instead of the store's answer (409, 412 on a `$batch`). */
  | { readonly kind: 'status-after'; readonly status: number }
  /** From this request on, every request fails at the connection for `ms` (the store is unreachable). */
  | { readonly kind: 'down'; readonly ms: number };

export interface FaultRule {
  /** Requests this rule counts: method (`POST`) and a test of the path (with query). */
  readonly method?: string;
  readonly path?: RegExp;
  /** Which of the matching requests get the fault, counted from 1. */
  readonly on: readonly number[];
  readonly fault: Fault;
}

/** Paths of the table endpoint, for rules. */
export const TABLE_PATHS = {
  /** Entity-group transactions (every state write). */
  batch: /\/\$batch/,
  /** Partition queries (every state load). */
  query: /\/[A-Za-z0-9]+\(\)\?/,
  /** Point reads of one entity (issuance links). */
  pointRead: /\(PartitionKey=/,
} as const;

export interface InjectedFault {
  readonly kind: Fault['kind'];
  readonly method: string;
  readonly path: string;
}

export class FaultProxy {
  private server: Server | undefined;
  private readonly agent = new Agent({ keepAlive: true });
  private rules: { readonly rule: FaultRule; seen: number }[] = [];
  private downUntil = 0;
  private readonly sockets = new Set<Socket>();
  /** Every fault injected since the rules were set, in order. */
  readonly injected: InjectedFault[] = [];
  /** Requests seen (forwarded or not). */
  requests = 0;

  constructor(private readonly upstream: URL) {}

  /** Starts listening on a free loopback port; returns the proxy's base URL (`http://127.0.0.1:<port>`). */
  async start(): Promise<string> {
    // A client that gives up mid-request (its timeout) ends the exchange: nothing is left to answer.
    const server = createServer((req, res) => void this.handle(req, res).catch(() => req.socket.destroy()));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.agent.destroy();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Replaces the rules (and clears what was injected): one scenario's faults. */
  setRules(rules: readonly FaultRule[]): void {
    this.rules = rules.map((rule) => ({ rule, seen: 0 }));
    this.injected.length = 0;
    this.downUntil = 0;
  }

  private faultFor(method: string, path: string): Fault | undefined {
    let fault: Fault | undefined;
    for (const entry of this.rules) {
      const { rule } = entry;
      if (rule.method !== undefined && rule.method !== method) continue;
      if (rule.path !== undefined && !rule.path.test(path)) continue;
      entry.seen++;
      // The first rule that fires wins; the others still count the request.
      if (fault === undefined && rule.on.includes(entry.seen)) fault = rule.fault;
    }
    return fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const body = await readAll(req);
    let fault = this.faultFor(method, path);
    if (fault?.kind === 'down') this.downUntil = Date.now() + fault.ms;
    else if (fault === undefined && Date.now() < this.downUntil) fault = { kind: 'down', ms: 0 };
    if (fault) this.injected.push({ kind: fault.kind, method, path });
    switch (fault?.kind) {
      case 'drop-before':
      case 'down':
        req.socket.destroy();
        return;
      case 'status':
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(JSON.stringify({ 'odata.error': { code: `Injected${fault.status}`, message: { lang: 'en-US', value: `injected ${fault.status}` } } }));
        return;
      case 'delay':
        await sleep(fault.ms);
        break;
      default:
        break;
    }
    let answer: Answer;
    try {
      answer = await this.forward(method, path, req.headers, body);
    } catch {
      req.socket.destroy();
      return;
    }
    switch (fault?.kind) {
      case 'drop-after':
        req.socket.destroy();
        return;
      case 'slow-answer':
        await sleep(fault.ms);
        break;
      case 'status-after': {
        const code = fault.status === 409 ? 'EntityAlreadyExists' : 'UpdateConditionNotSatisfied';
        res.writeHead(fault.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ 'odata.error': { code, message: { lang: 'en-US', value: `injected ${fault.status} after the write was applied` } } }));
        return;
      }
      default:
        break;
    }
    if (req.socket.destroyed) return;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  private forward(method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const upstreamRequest = httpRequest(
        { host: this.upstream.hostname, port: this.upstream.port, method, path, headers: { ...headers, host: this.upstream.host }, agent: this.agent },
        (upstreamResponse) => {
          readAll(upstreamResponse).then((answerBody) => resolve({ status: upstreamResponse.statusCode ?? 502, headers: withoutHopHeaders(upstreamResponse.headers), body: answerBody }), reject);
        },
      );
      upstreamRequest.on('error', reject);
      upstreamRequest.end(body);
    });
  }
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

function withoutHopHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const { connection: _connection, 'keep-alive': _keepAlive, 'transfer-encoding': _encoding, ...rest } = headers;
  return rest;
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
