/**
 * Routes declared once, from zod schemas: the same schemas validate each request (400 naming every bad field) and
 * describe it in the OpenAPI 3.1 document served at `GET /openapi.json`. Writes need the bearer token.
 */
import { timingSafeEqual } from "node:crypto";
import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from "@asteasolutions/zod-to-openapi";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z, type ZodType, type ZodTypeDef } from "zod";

// The generator reads metadata through `.openapi()` on every schema (the SDK's included): add it to zod's prototype.
extendZodWithOpenApi(z);

/** What a handler answers: a status and a JSON body (or text, with its content type). */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  /** Default `application/json`; a string body is sent as is. */
  readonly contentType?: string;
  /** Extra response headers (e.g. `retry-after`, `access-control-allow-origin`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One documented response of a route. */
export interface ResponseSpec {
  readonly description: string;
  readonly schema?: ZodType<unknown, ZodTypeDef, unknown>;
  /** Other content types the route can answer with (e.g. `text/csv`), described as text. */
  readonly alsoAs?: readonly string[];
}

/** A validated request. */
export interface Request<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** The request's headers (lower-case names). */
  readonly headers: FastifyRequest["headers"];
  /** The client's address (for per-client limits). */
  readonly ip: string;
}

/** A route: its method and OpenAPI path (`/v1/bills/{billId}`), its schemas, its answers and its handler. */
export interface RouteSpec<P, Q, B> {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly path: string;
  readonly summary: string;
  readonly tags?: readonly string[];
  /** Requires `Authorization: Bearer <MEDBILL_API_TOKEN>` (every write does). */
  readonly auth?: boolean;
  readonly params?: ZodType<P, ZodTypeDef, unknown>;
  readonly query?: ZodType<Q, ZodTypeDef, unknown>;
  readonly body?: ZodType<B, ZodTypeDef, unknown>;
  /** Documents the body when the handler validates it itself (e.g. with the SDK's rules); not checked here. */
  readonly bodyDoc?: ZodType<unknown, ZodTypeDef, unknown>;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  handler(request: Request<P, Q, B>): Promise<Reply>;
}

/** Where parts declare their routes. */
export interface Api {
  route<P = Record<string, never>, Q = Record<string, never>, B = undefined>(spec: RouteSpec<P, Q, B>): void;
}

/** One field at fault in a request. */
export interface FieldIssue {
  /** `body`, `query` or `params`. */
  readonly in: string;
  /** The field's path, e.g. `items.0.unitPrice` (empty for the whole body). */
  readonly field: string;
  readonly message: string;
}

/** The body of every error answer. */
export interface ErrorBody {
  readonly error: string;
  readonly issues?: readonly FieldIssue[];
}

/** Builds a JSON error answer. */
export function errorReply(status: number, error: string, issues?: readonly FieldIssue[]): Reply {
  return { status, body: issues === undefined ? { error } : { error, issues } };
}

function tokenMatches(header: string | undefined, token: string | undefined): boolean {
  if (token === undefined || header === undefined) return false;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (m === null) return false;
  const given = Buffer.from(m[1]);
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** The routes of a Fastify server, with their OpenAPI registry. */
export class HttpApi implements Api {
  private readonly registry = new OpenAPIRegistry();

  constructor(
    private readonly server: FastifyInstance,
    private readonly token: string | undefined,
  ) {
    this.registry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  }

  route<P, Q, B>(spec: RouteSpec<P, Q, B>): void {
    this.document(spec);
    const url = spec.path.replace(/\{(\w+)\}/g, ":$1");
    this.server.route({
      method: spec.method,
      url,
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const answer = await this.handle(spec, req);
        void reply.code(answer.status);
        if (answer.headers !== undefined) void reply.headers(answer.headers);
        if (typeof answer.body === "string") {
          return reply.type(answer.contentType ?? "text/plain; charset=utf-8").send(answer.body);
        }
        return reply.type(answer.contentType ?? "application/json; charset=utf-8").send(answer.body);
      },
    });
  }

  private async handle<P, Q, B>(spec: RouteSpec<P, Q, B>, req: FastifyRequest): Promise<Reply> {
    if (spec.auth) {
      if (this.token === undefined) return errorReply(401, "writes are disabled: MEDBILL_API_TOKEN is not set");
      if (!tokenMatches(req.headers.authorization, this.token)) {
        return errorReply(401, "missing or wrong bearer token (Authorization: Bearer <MEDBILL_API_TOKEN>)");
      }
    }
    const issues: FieldIssue[] = [];
    const parse = <T>(where: string, schema: ZodType<T, ZodTypeDef, unknown> | undefined, value: unknown): T => {
      if (schema === undefined) return value as T;
      const result = schema.safeParse(value);
      if (result.success) return result.data;
      for (const i of result.error.issues) issues.push({ in: where, field: i.path.join("."), message: i.message });
      return undefined as T;
    };
    const params = parse("params", spec.params, req.params ?? {});
    const query = parse("query", spec.query, req.query ?? {});
    const body = parse("body", spec.body, req.body);
    if (issues.length > 0) {
      const fields = [...new Set(issues.map((i) => i.field || i.in))].join(", ");
      return errorReply(400, `invalid request: ${fields}`, issues);
    }
    return spec.handler({ params, query, body, headers: req.headers, ip: req.ip });
  }

  private document<P, Q, B>(spec: RouteSpec<P, Q, B>): void {
    const responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }> = {};
    for (const [status, r] of Object.entries(spec.responses)) {
      const content: Record<string, { schema: unknown }> = {};
      if (r.schema !== undefined) content["application/json"] = { schema: r.schema };
      for (const type of r.alsoAs ?? []) content[type] = { schema: { type: "string" } };
      responses[status] = Object.keys(content).length > 0 ? { description: r.description, content } : r;
    }
    const body = spec.body ?? spec.bodyDoc;
    this.registry.registerPath({
      method: spec.method.toLowerCase() as "get" | "post" | "put" | "delete",
      path: spec.path,
      summary: spec.summary,
      tags: spec.tags ? [...spec.tags] : undefined,
      security: spec.auth ? [{ bearer: [] }] : undefined,
      request: {
        params: spec.params as never,
        query: spec.query as never,
        body: body ? { content: { "application/json": { schema: body } }, required: true } : undefined,
      },
      responses: responses as never,
    });
  }

  /** The OpenAPI 3.1 document of every route declared so far. */
  openApi(info: { title: string; version: string; description?: string }): unknown {
    return new OpenApiGeneratorV31(this.registry.definitions).generateDocument({ openapi: "3.1.0", info });
  }
}
