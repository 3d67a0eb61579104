// Where model clients send their requests. With no `approved-endpoints` configured (this pack's
// default), every public provider endpoint is unapproved; loopback is always approved.
import OpenAI, { AzureOpenAI } from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { ChatAnthropic } from "@langchain/anthropic";
import { createOpenAI } from "@ai-sdk/openai";

// ruleid: unapproved-model-endpoint
export const openai = new OpenAI();
// ruleid: unapproved-model-endpoint
export const gateway = new OpenAI({ baseURL: "https://llm-proxy.example-vendor.com/v1", apiKey: process.env.PROXY_KEY });
// ok: unapproved-model-endpoint
export const local = new OpenAI({ baseURL: "http://localhost:11434/v1", apiKey: "ollama" });
// ok: unapproved-model-endpoint
export const configured = new OpenAI({ baseURL: process.env.LLM_GATEWAY_URL });
// ok: unapproved-model-endpoint
export const azure = new AzureOpenAI({ endpoint: process.env.AZURE_OPENAI_ENDPOINT, apiVersion: "2024-10-21" });
// ruleid: unapproved-model-endpoint
export const claude = new Anthropic({ apiKey: process.env.ANTHROPIC_API_KEY });
// ruleid: unapproved-model-endpoint
export const gemini = new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY });
// ok: unapproved-model-endpoint
export const vertex = new GoogleGenAI({ vertexai: true, project: "contoso-health", location: "us-central1" });
// ok: unapproved-model-endpoint
export const bedrock = new BedrockRuntimeClient({ region: "us-east-1" });
// ruleid: unapproved-model-endpoint
export const chain = new ChatAnthropic({ model: "claude-sonnet-4-5" });
// ruleid: unapproved-model-endpoint
export const provider = createOpenAI({ baseURL: "https://api.together.xyz/v1" });

export async function rawAnthropic(body: string) {
  // ruleid: unapproved-model-endpoint
  return fetch("https://api.anthropic.com/v1/messages", { method: "POST", body });
}

export async function internalService(body: string) {
  // ok: unapproved-model-endpoint
  return fetch("https://records.internal.contoso-health.org/v1/notes", { method: "POST", body });
}
