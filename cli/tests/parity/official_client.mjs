// The requests qstash-kit sends are the requests the official TypeScript client sends.
//
// A local recorder stands in for the QStash API. The same calls are made through
// @upstash/qstash (from bindings-node's dev dependencies) and through the qstash-kit binary:
// a publish with every option both support, an enqueue, a publish to a URL group, and the
// JSON forms (publishJSON, enqueueJSON). Each pair of recorded requests must match in method, path, body, Authorization, Content-Type and
// every Upstash-* header. The official client's telemetry headers are turned off: they name
// the SDK and runtime, which no other client can echo.
//
// Usage: node cli/tests/parity/official_client.mjs path/to/qstash-kit
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const require = createRequire(path.join(root, "bindings-node", "package.json"));
const { Client, anthropic, custom, openai, resend, upstash } = require("@upstash/qstash");
const run = promisify(execFile);

const kit = process.argv[2];
if (!kit) {
  console.error("usage: official_client.mjs path/to/qstash-kit");
  process.exit(2);
}

const recorded = [];
const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    recorded.push({ method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
    res.setHeader("content-type", "application/json");
    const group = req.url.startsWith("/v2/publish/fanout");
    const batch = req.url === "/v2/batch";
    res.end(JSON.stringify(group ? [{ messageId: "msg_a", url: "https://a.example/hook" }] : batch ? [{ messageId: "msg_1" }] : { messageId: "msg_1" }));
  });
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const baseUrl = `http://127.0.0.1:${server.address().port}`;
const token = "parity-token";

const official = new Client({ baseUrl, token, enableTelemetry: false, retry: false });
const destination = "https://my-app.example.com/api/qstash?tenant=acme";
const notBefore = 1893456000;

// Each case: what the official client calls, and the same call on the qstash-kit command line.
const cases = [
  {
    name: "publish with every option",
    official: () =>
      official.publish({
        url: destination,
        body: "hello world",
        headers: { "X-Tenant": "acme", "X-Trace": "t-1" },
        method: "PUT",
        delay: 90,
        notBefore,
        deduplicationId: "order-42",
        contentBasedDeduplication: true,
        retries: 3,
        retryDelay: "pow(2, retried) * 1000",
        callback: "https://my-app.example.com/callback",
        failureCallback: "https://my-app.example.com/failure",
        timeout: 30,
        flowControl: { key: "tenant-acme", parallelism: 2, rate: 10, period: 60 },
        label: "billing",
        redact: { body: true, header: ["Authorization"] },
      }),
    kit: [
      "publish", destination, "--data", "hello world",
      "-H", "X-Tenant: acme", "-H", "X-Trace: t-1",
      "--method", "PUT", "--delay", "90", "--not-before", String(notBefore),
      "--deduplication-id", "order-42", "--content-based-deduplication",
      "--retries", "3", "--retry-delay", "pow(2, retried) * 1000",
      "--callback", "https://my-app.example.com/callback",
      "--failure-callback", "https://my-app.example.com/failure",
      "--timeout", "30",
      "--flow-control-key", "tenant-acme", "--parallelism", "2", "--rate", "10", "--period", "60",
      "--label", "billing", "--redact-body", "--redact-header", "Authorization",
    ],
  },
  {
    name: "enqueue",
    official: () => official.queue({ queueName: "orders" }).enqueue({ url: destination, body: "order 7", retries: 1, delay: 5 }),
    kit: ["publish", destination, "--queue", "orders", "--data", "order 7", "--retries", "1", "--delay", "5s"],
  },
  {
    name: "publish to a URL group",
    official: () => official.publish({ urlGroup: "fanout", body: '{"a":1}', headers: { "Content-Type": "application/json" }, delay: 600 }),
    kit: ["publish", "fanout", "--url-group", "--data", '{"a":1}', "--content-type", "application/json", "--delay", "10m"],
  },
  {
    name: "publishJSON",
    official: () => official.publishJSON({ url: destination, body: { id: 7, tags: ["a"] }, retries: 2 }),
    kit: ["publish", destination, "--data-json", '{"id":7,"tags":["a"]}', "--retries", "2"],
  },
  {
    name: "enqueueJSON",
    official: () => official.queue({ queueName: "orders" }).enqueueJSON({ url: destination, body: { id: 8 } }),
    kit: ["publish", destination, "--queue", "orders", "--data-json", '{"id":8}'],
  },
];

// The integrations (`api`): every provider, with and without analytics, and Resend, through
// publish, enqueue and batch, as the official client's JSON calls send them.
const scratch = mkdtempSync(path.join(tmpdir(), "qstash-parity-"));
const callback = "https://my-app.example.com/api/llm-callback";
const chat = { model: "any", messages: [{ role: "user", content: "hi" }] };
const email = { from: "a@example.com", to: ["b@example.com"], subject: "hi", html: "<p>hi</p>" };
const integrations = [
  {
    name: "openai",
    api: { name: "llm", provider: openai({ token: "sk-openai", organization: "org-1" }) },
    file: { name: "llm", provider: "openai", token: "sk-openai", organization: "org-1" },
    flags: ["--api", "llm", "--provider", "openai", "--provider-token", "sk-openai", "--provider-organization", "org-1"],
    body: chat,
    callback,
  },
  {
    name: "anthropic",
    api: { name: "llm", provider: anthropic({ token: "sk-anthropic" }) },
    file: { name: "llm", provider: "anthropic", token: "sk-anthropic" },
    flags: ["--api", "llm", "--provider", "anthropic", "--provider-token", "sk-anthropic"],
    body: chat,
    callback,
  },
  {
    name: "upstash",
    api: { name: "llm", provider: upstash() },
    file: { name: "llm", provider: "upstash" },
    flags: ["--api", "llm", "--provider", "upstash"],
    body: chat,
    callback,
  },
  {
    name: "upstash with helicone",
    api: { name: "llm", provider: upstash(), analytics: { name: "helicone", token: "hel-1" } },
    file: { name: "llm", provider: "upstash", analytics: { name: "helicone", token: "hel-1" } },
    flags: ["--api", "llm", "--provider", "upstash", "--analytics", "helicone", "--analytics-token", "hel-1"],
    body: chat,
    callback,
  },
  {
    name: "custom with helicone",
    api: { name: "llm", provider: custom({ baseUrl: "https://llm.example.com/v1/chat/completions", token: "sk-custom" }), analytics: { name: "helicone", token: "hel-1" } },
    file: { name: "llm", provider: "custom", baseUrl: "https://llm.example.com/v1/chat/completions", token: "sk-custom", analytics: { name: "helicone", token: "hel-1" } },
    flags: ["--api", "llm", "--provider", "custom", "--provider-base-url", "https://llm.example.com/v1/chat/completions", "--provider-token", "sk-custom", "--analytics", "helicone", "--analytics-token", "hel-1"],
    body: chat,
    callback,
  },
  {
    name: "resend",
    api: { name: "email", provider: resend({ token: "re-1" }) },
    file: { name: "email", provider: "resend", token: "re-1" },
    flags: ["--api", "email", "--provider", "resend", "--provider-token", "re-1"],
    body: email,
  },
  {
    name: "resend batch",
    api: { name: "email", provider: resend({ token: "re-1", batch: true }) },
    file: { name: "email", provider: "resend", token: "re-1", batch: true },
    flags: ["--api", "email", "--provider", "resend", "--provider-token", "re-1", "--resend-batch"],
    body: [email, email],
  },
];
for (const [i, integration] of integrations.entries()) {
  const withCallback = integration.callback ? { callback: integration.callback } : {};
  const callbackFlags = integration.callback ? ["--callback", integration.callback] : [];
  const batchFile = path.join(scratch, `batch-${i}.json`);
  writeFileSync(
    batchFile,
    JSON.stringify([
      {
        api: integration.file,
        body: JSON.stringify(integration.body),
        headers: { "Content-Type": "application/json", ...(integration.callback ? { "Upstash-Callback": integration.callback } : {}) },
      },
    ]),
  );
  cases.push(
    {
      name: `publish to ${integration.name}`,
      official: () => official.publishJSON({ api: integration.api, body: integration.body, ...withCallback }),
      kit: ["publish", ...integration.flags, "--data-json", JSON.stringify(integration.body), ...callbackFlags],
    },
    {
      name: `enqueue to ${integration.name}`,
      official: () => official.queue({ queueName: "ai" }).enqueueJSON({ api: integration.api, body: integration.body, ...withCallback }),
      kit: ["publish", ...integration.flags, "--queue", "ai", "--data-json", JSON.stringify(integration.body), ...callbackFlags],
    },
    {
      name: `batch to ${integration.name}`,
      official: () => official.batchJSON([{ api: integration.api, body: integration.body, ...withCallback }]),
      kit: ["batch", batchFile],
    },
  );
}

const compared = (request) => {
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(([name]) => name.startsWith("upstash-") || name === "content-type" || name === "authorization"),
  );
  return { method: request.method, path: request.path, body: request.body, headers };
};

let failed = 0;
for (const c of cases) {
  recorded.length = 0;
  await c.official();
  const env = { PATH: process.env.PATH };
  await run(kit, [...c.kit, "--api-url", baseUrl, "--token", token, "--no-retry"], { env });
  if (recorded.length !== 2) {
    console.error(`${c.name}: expected 2 requests, recorded ${recorded.length}`);
    failed++;
    continue;
  }
  const [theirs, ours] = recorded.map(compared);
  const problems = [];
  for (const key of ["method", "path", "body"]) {
    if (theirs[key] !== ours[key]) problems.push(`${key}: official ${JSON.stringify(theirs[key])}, qstash-kit ${JSON.stringify(ours[key])}`);
  }
  const names = new Set([...Object.keys(theirs.headers), ...Object.keys(ours.headers)]);
  for (const name of [...names].sort()) {
    if (theirs.headers[name] !== ours.headers[name]) {
      problems.push(`header ${name}: official ${JSON.stringify(theirs.headers[name])}, qstash-kit ${JSON.stringify(ours.headers[name])}`);
    }
  }
  if (problems.length) {
    failed++;
    console.error(`${c.name}: requests differ\n  ${problems.join("\n  ")}`);
  } else {
    console.log(`${c.name}: identical (${theirs.method} ${theirs.path}, ${Object.keys(theirs.headers).length} headers compared)`);
  }
}
server.close();
rmSync(scratch, { recursive: true, force: true });
if (failed) {
  console.error(`official client parity: ${failed} of ${cases.length} cases differ`);
  process.exit(1);
}
console.log(`official client parity: ${cases.length} of ${cases.length} identical`);
