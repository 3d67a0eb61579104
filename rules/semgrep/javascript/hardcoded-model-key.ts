// Provider keys in code. The literals below are made up for this test (and break the shape
// checks of no real provider).
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { AzureOpenAI } from "openai";

// ruleid: hardcoded-model-key
export const openai = new OpenAI({ apiKey: "sk-proj-Zq8v2LmN4pR6tY1wX3cB5dF7gH9jK0sA2eU4iO6" });
// ok: hardcoded-model-key
export const fromEnv = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
// ok: hardcoded-model-key
export const placeholder = new OpenAI({ apiKey: "sk-your-key-goes-here-xxxxxxxxxxxxxxxx" });

// ruleid: hardcoded-model-key
const ANTHROPIC_KEY = "sk-ant-api03-Qw7eR9tY2uI4oP6aS8dF0gH3jK5lZ7xC9vB1nM3qW5eR7tY9uI";
export const claude = new Anthropic({ apiKey: ANTHROPIC_KEY });

// ruleid: hardcoded-model-key
export const azure = new AzureOpenAI({ apiKey: "4f9c2a7e1b8d3f6a0c5e9b2d7f1a4c8e", endpoint: process.env.AZURE_OPENAI_ENDPOINT });
// ok: hardcoded-model-key
export const build = { commit: "4f9c2a7e1b8d3f6a0c5e9b2d7f1a4c8e", endpoint: process.env.AZURE_OPENAI_ENDPOINT };

export const headers = {
  // ruleid: hardcoded-model-key
  Authorization: `Bearer gsk_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4`,
};

export const docs = {
  // ok: hardcoded-model-key
  example: "sk-proj-EXAMPLE0000000000000000000000000000",
  // ruleid: hardcoded-model-key
  huggingface: "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",
};
