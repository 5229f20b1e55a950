//! AI model providers: OpenRouter, OpenAI, Anthropic, Groq, Hugging Face.

use super::{BASE, Rule};

pub(super) const RULES: &[&Rule] = &[
    &Rule {
        code: "SEC001",
        id: "openrouter-api-key",
        title: "OpenRouter API key",
        impact: "Spends the account's credit on any model OpenRouter serves.",
        keywords: &["sk-or-"],
        patterns: &[r"\b(?P<s>sk-or-v1-[a-f0-9]{64})\b"],
        rotate: "openrouter.ai/settings/keys: delete the key, create a new one",
        examples: &[
            "OPENROUTER_API_KEY=sk-or-v1-{hex:64}",
            "apiKey: 'sk-or-v1-{hex:64}',",
        ],
        counter_examples: &[
            "OPENROUTER_API_KEY=sk-or-v1-...",
            "OPENROUTER_API_KEY=sk-or-v1-your-key-here",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC002",
        id: "openai-project-key",
        title: "OpenAI project API key",
        impact: "Calls the OpenAI API on the project's bill and reads its files and assistants.",
        keywords: &["sk-proj-"],
        patterns: &[r"\b(?P<s>sk-proj-[A-Za-z0-9_-]{20,200}T3BlbkFJ[A-Za-z0-9_-]{20,200})"],
        rotate: "platform.openai.com/api-keys: revoke the key, create a new one",
        examples: &["OPENAI_API_KEY=\"sk-proj-{b64u:74}T3BlbkFJ{b64u:74}\""],
        counter_examples: &["OPENAI_API_KEY=sk-proj-xxxxxxxxxxxxxxxxxxxx", "sk-proj-..."],
        ..BASE
    },
    &Rule {
        code: "SEC003",
        id: "openai-service-account-key",
        title: "OpenAI service account key",
        impact: "Calls the OpenAI API as the service account, on the project's bill.",
        keywords: &["sk-svcacct-"],
        patterns: &[r"\b(?P<s>sk-svcacct-[A-Za-z0-9_-]{20,200}T3BlbkFJ[A-Za-z0-9_-]{20,200})"],
        rotate: "platform.openai.com: project settings, service accounts: delete and recreate",
        examples: &["key = \"sk-svcacct-{b64u:58}T3BlbkFJ{b64u:58}\""],
        counter_examples: &["sk-svcacct-<your key>"],
        ..BASE
    },
    &Rule {
        code: "SEC004",
        id: "openai-admin-key",
        title: "OpenAI admin key",
        impact: "Manages the organisation: members, projects, keys and billing.",
        keywords: &["sk-admin-"],
        patterns: &[r"\b(?P<s>sk-admin-[A-Za-z0-9_-]{20,200}T3BlbkFJ[A-Za-z0-9_-]{20,200})"],
        rotate: "platform.openai.com/settings/organization/admin-keys: delete the key",
        examples: &["OPENAI_ADMIN_KEY=sk-admin-{b64u:58}T3BlbkFJ{b64u:58}"],
        counter_examples: &["OPENAI_ADMIN_KEY=sk-admin-REPLACE_ME"],
        ..BASE
    },
    &Rule {
        code: "SEC005",
        id: "openai-legacy-key",
        title: "OpenAI API key (legacy user key)",
        impact: "Calls the OpenAI API on the owner's bill.",
        keywords: &["t3blbkfj"],
        patterns: &[r"\b(?P<s>sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})\b"],
        rotate: "platform.openai.com/api-keys: revoke the key, create a project key instead",
        examples: &["openai.api_key = \"sk-{a62:20}T3BlbkFJ{a62:20}\""],
        counter_examples: &["sk-T3BlbkFJ"],
        ..BASE
    },
    &Rule {
        code: "SEC006",
        id: "anthropic-api-key",
        title: "Anthropic API key",
        impact: "Calls Claude models on the workspace's bill.",
        keywords: &["sk-ant-api"],
        patterns: &[r"\b(?P<s>sk-ant-api0\d-[A-Za-z0-9_-]{80,120}AA)(?:[^A-Za-z0-9_-]|$)"],
        rotate: "console.anthropic.com/settings/keys: disable and delete the key",
        examples: &["ANTHROPIC_API_KEY=sk-ant-api03-{b64u:93}AA"],
        counter_examples: &[
            "ANTHROPIC_API_KEY=sk-ant-api03-...",
            "sk-ant-api03-XXXXXXXX",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC007",
        id: "anthropic-admin-key",
        title: "Anthropic Admin API key",
        impact: "Manages the organisation: members, workspaces and API keys.",
        keywords: &["sk-ant-admin"],
        patterns: &[r"\b(?P<s>sk-ant-admin01-[A-Za-z0-9_-]{80,120}AA)(?:[^A-Za-z0-9_-]|$)"],
        rotate: "console.anthropic.com/settings/admin-keys: delete the key",
        examples: &["x-api-key: sk-ant-admin01-{b64u:93}AA"],
        counter_examples: &["sk-ant-admin01-<key>"],
        ..BASE
    },
    &Rule {
        code: "SEC008",
        id: "groq-api-key",
        title: "Groq API key",
        impact: "Calls models on Groq on the account's bill.",
        keywords: &["gsk_"],
        patterns: &[r"\b(?P<s>gsk_[A-Za-z0-9]{52})\b"],
        rotate: "console.groq.com/keys: delete the key",
        examples: &["GROQ_API_KEY=gsk_{a62:52}"],
        counter_examples: &["GROQ_API_KEY=gsk_your_key"],
        ..BASE
    },
    &Rule {
        code: "SEC009",
        id: "huggingface-token",
        title: "Hugging Face access token",
        impact: "Reads (or writes) the account's private models, datasets and Spaces.",
        keywords: &["hf_"],
        patterns: &[r"\b(?P<s>hf_[A-Za-z]{34})\b"],
        rotate: "huggingface.co/settings/tokens: invalidate and refresh the token",
        examples: &["HF_TOKEN=hf_{alpha:34}"],
        counter_examples: &[
            "hf_hub_download(repo_id)",
            "HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ],
        ..BASE
    },
];
