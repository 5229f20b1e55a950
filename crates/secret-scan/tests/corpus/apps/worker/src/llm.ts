import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";

const openai = new OpenAI({ apiKey: "⟦SEC002:sk-proj-{b64u:74}T3BlbkFJ{b64u:74}⟧" });
const anthropic = new Anthropic({ apiKey: "⟦SEC006:sk-ant-api03-{b64u:93}AA⟧" });

export async function callOpenRouter(key: string, body: unknown) {
  return fetch("https://openrouter.ai/api/v1/chat/completions", {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

export async function callInternal(body: unknown) {
  return fetch("https://jobs.internal.acme.dev/v1/run", {
    method: "POST",
    headers: { Authorization: "Bearer ⟦SEC069:{a62:40}⟧" },
    body: JSON.stringify(body),
  });
}

export const groq = { apiKey: "⟦SEC008:gsk_{a62:52}⟧" };
export const hf = "⟦SEC009:hf_{alpha:34}⟧";
export { openai, anthropic };
