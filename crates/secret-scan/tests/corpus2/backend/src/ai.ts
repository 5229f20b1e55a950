import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";

export const openai = new OpenAI({ apiKey: "⟦SEC002:sk-proj-{b64u:74}T3BlbkFJ{b64u:74}⟧" });

export const claude = new Anthropic({
  apiKey: "⟦SEC006:sk-ant-api03-{b64u:93}AA⟧",
  maxRetries: 3,
});

// The rest read the environment.
export const fallback = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
export const example = { apiKey: "sk-proj-xxxxxxxxxxxxxxxxxxxxxxxx" };
