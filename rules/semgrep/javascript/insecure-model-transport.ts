// Prompts over plain http or with certificate checks off.
import https from "node:https";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";

// ruleid: insecure-model-transport
export const gateway = new OpenAI({ baseURL: "http://llm-gateway.contoso-health.internal:8080/v1" });
// ok: insecure-model-transport
export const gatewayTls = new OpenAI({ baseURL: "https://llm-gateway.contoso-health.internal:8443/v1" });
// ok: insecure-model-transport
export const ollama = new OpenAI({ baseURL: "http://127.0.0.1:11434/v1", apiKey: "ollama" });

// ruleid: insecure-model-transport
export const pinned = new Anthropic({ httpAgent: new https.Agent({ rejectUnauthorized: false }) });
// ok: insecure-model-transport
export const pinnedOk = new Anthropic({ httpAgent: new https.Agent({ keepAlive: true }) });

export function allowSelfSignedCertificates() {
  // ruleid: insecure-model-transport
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
  // ok: insecure-model-transport
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "1";
}

export async function rawCompletion(body: string) {
  // ruleid: insecure-model-transport
  return fetch("http://api.openai.com/v1/chat/completions", { method: "POST", body });
}

export async function rawCompletionTls(body: string) {
  // ok: insecure-model-transport
  return fetch("https://api.openai.com/v1/chat/completions", { method: "POST", body });
}
