//! Payment, messaging and commerce services: Stripe, Slack, Discord, Telegram, Twilio,
//! SendGrid, Mailgun, Shopify, Linear.

use super::{BASE, Confidence, Kind, Rule};
use opskit::report::Severity;

pub(super) const RULES: &[&Rule] = &[
    &Rule {
        code: "SEC044",
        id: "stripe-secret-key",
        title: "Stripe live secret key",
        impact: "Charges cards, issues refunds and payouts, and reads every customer in live mode.",
        keywords: &["sk_live_"],
        patterns: &[r"\b(?P<s>sk_live_[A-Za-z0-9]{24,247})\b"],
        rotate: "dashboard.stripe.com/apikeys: roll the key",
        examples: &["STRIPE_SECRET_KEY=sk_live_{a62:99}"],
        counter_examples: &[
            "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=pk_live_{a62:99}",
            "sk_live_...",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC045",
        id: "stripe-test-secret-key",
        title: "Stripe test-mode secret key",
        impact: "Reads and changes the account's test-mode data (not money, but still the account).",
        severity: Severity::Warning,
        keywords: &["sk_test_"],
        patterns: &[r"\b(?P<s>sk_test_[A-Za-z0-9]{24,247})\b"],
        rotate: "dashboard.stripe.com/test/apikeys: roll the key",
        examples: &["stripe = Stripe('sk_test_{a62:99}')"],
        counter_examples: &[
            "pk_test_{a62:99}",
            // See: issue 22. Keys from Stripe's API reference.
            "const stripe = require('stripe')('sk_test_4eC39HqLyjWDarjtT1zdp7dc');",
            "stripe.api_key = 'sk_test_26PHem9AhJZvU623DfE1x4sd'",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC046",
        id: "stripe-restricted-key",
        title: "Stripe restricted key",
        impact: "Does what the key's permissions allow on the account.",
        keywords: &["rk_live_", "rk_test_"],
        patterns: &[r"\b(?P<s>rk_(?:live|test)_[A-Za-z0-9]{24,247})\b"],
        rotate: "dashboard.stripe.com/apikeys: roll or delete the restricted key",
        examples: &["STRIPE_RESTRICTED_KEY=rk_live_{a62:99}"],
        counter_examples: &["rk_live_placeholder"],
        ..BASE
    },
    &Rule {
        code: "SEC047",
        id: "stripe-webhook-secret",
        title: "Stripe webhook signing secret",
        impact: "Forges Stripe events your webhook endpoint will trust (fake payments).",
        keywords: &["whsec_"],
        patterns: &[r"\b(?P<s>whsec_[A-Za-z0-9+/=]{32,})"],
        rotate: "dashboard.stripe.com/webhooks: the endpoint, Roll secret",
        examples: &["STRIPE_WEBHOOK_SECRET=whsec_{a62:32}"],
        counter_examples: &["STRIPE_WEBHOOK_SECRET=whsec_..."],
        ..BASE
    },
    &Rule {
        code: "SEC048",
        id: "slack-bot-token",
        title: "Slack bot token",
        impact: "Posts and reads messages as the bot in every channel it is in.",
        keywords: &["xoxb-"],
        patterns: &[r"\b(?P<s>xoxb-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24,34})\b"],
        rotate: "api.slack.com/apps: the app, OAuth & Permissions: revoke tokens and reinstall",
        examples: &["SLACK_BOT_TOKEN=xoxb-{d:12}-{d:13}-{a62:24}"],
        counter_examples: &[
            "SLACK_BOT_TOKEN=xoxb-your-token",
            "  \"access_token\": \"xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy\",",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC049",
        id: "slack-user-token",
        title: "Slack user token",
        impact: "Reads and posts as the user, including private channels and DMs.",
        keywords: &["xoxp-"],
        patterns: &[r"\b(?P<s>xoxp-[0-9]{10,13}-[0-9]{10,13}-[0-9]{10,13}-[a-f0-9]{32})\b"],
        rotate: "api.slack.com/apps: the app, OAuth & Permissions: revoke the user token",
        examples: &["token = 'xoxp-{d:12}-{d:12}-{d:13}-{hex:32}'"],
        counter_examples: &["xoxp-..."],
        ..BASE
    },
    &Rule {
        code: "SEC050",
        id: "slack-app-token",
        title: "Slack app-level token",
        impact: "Opens Socket Mode connections and manages the app's event subscriptions.",
        keywords: &["xapp-"],
        patterns: &[r"\b(?P<s>xapp-\d-[A-Z0-9]{9,12}-\d{10,14}-[a-f0-9]{64})\b"],
        rotate: "api.slack.com/apps: the app, Basic Information, App-Level Tokens: revoke",
        examples: &["SLACK_APP_TOKEN=xapp-1-A{UP:10}-{d:13}-{hex:64}"],
        counter_examples: &["SLACK_APP_TOKEN=xapp-1-..."],
        ..BASE
    },
    &Rule {
        code: "SEC051",
        id: "slack-webhook-url",
        title: "Slack incoming webhook URL",
        impact: "Posts messages (phishing included) into the channel the webhook belongs to.",
        keywords: &["hooks.slack.com"],
        patterns: &[
            r"https://hooks\.slack\.com/(?:services|workflows|triggers)/(?P<s>[A-Za-z0-9_/-]{30,})",
        ],
        rotate: "api.slack.com/apps: the app, Incoming Webhooks: remove the webhook, add a new one",
        examples: &[
            "SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T{UP:10}/B{UP:10}/{a62:24}",
        ],
        counter_examples: &[
            "SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC052",
        id: "discord-bot-token",
        title: "Discord bot token",
        impact: "Logs in as the bot in every server it was added to.",
        confidence: Confidence::Medium,
        kind: Kind::Context,
        keywords: &["discord"],
        patterns: &[
            r#"(?i)(?P<n>discord[a-z0-9_ .-]{0,20})["']?\s*[:=]\s*["'`]?(?P<s>[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40})"#,
        ],
        rotate: "discord.com/developers/applications: the app, Bot, Reset Token",
        examples: &["DISCORD_BOT_TOKEN=M{b64u:25}.{b64u:6}.{b64u:38}"],
        counter_examples: &["DISCORD_BOT_TOKEN=<bot token>"],
        ..BASE
    },
    &Rule {
        code: "SEC053",
        id: "discord-webhook-url",
        title: "Discord webhook URL",
        impact: "Posts messages into the channel the webhook belongs to.",
        keywords: &["discord"],
        patterns: &[
            r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{17,20}/(?P<s>[A-Za-z0-9_-]{60,70})",
        ],
        rotate: "Discord: the channel's Integrations, Webhooks: delete the webhook",
        examples: &["DISCORD_WEBHOOK=https://discord.com/api/webhooks/{d:19}/{b64u:68}"],
        counter_examples: &["https://discord.com/api/webhooks/{id}/{token}"],
        ..BASE
    },
    &Rule {
        code: "SEC054",
        id: "telegram-bot-token",
        title: "Telegram bot token",
        impact: "Controls the bot: reads its messages and sends as it.",
        keywords: &[":aa"],
        patterns: &[r"\b(?P<s>\d{8,10}:AA[A-Za-z0-9_-]{33})(?:[^A-Za-z0-9_-]|$)"],
        rotate: "Telegram: message @BotFather, /revoke",
        examples: &["TELEGRAM_BOT_TOKEN={d:10}:AA{b64u:33}"],
        counter_examples: &[
            "time: 12345678:AA",
            "https://api.telegram.org/bot123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11/getMe",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC055",
        id: "twilio-api-key",
        title: "Twilio API key SID",
        impact: "With its secret, calls the Twilio API: sends SMS and calls on the account's bill.",
        severity: Severity::Warning,
        confidence: Confidence::Medium,
        keywords: &["twilio"],
        patterns: &[r"(?i:twilio)[^\n]{0,40}?\b(?P<s>SK[0-9a-fA-F]{32})\b"],
        rotate: "console.twilio.com: Account, API keys & tokens: delete the key",
        examples: &["TWILIO_API_KEY=SK{hex:32}"],
        counter_examples: &["TWILIO_API_KEY=SKxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"],
        ..BASE
    },
    &Rule {
        code: "SEC056",
        id: "twilio-auth-token",
        title: "Twilio auth token (known by its name)",
        impact: "Acts as the Twilio account: sends SMS and calls, reads messages.",
        confidence: Confidence::Medium,
        kind: Kind::Context,
        keywords: &["twilio"],
        patterns: &[
            r#"(?i)\b(?P<n>twilio_?(?:auth_?token|api_?secret))["']?\s*[:=]\s*["'`]?(?P<s>[0-9a-zA-Z]{32})\b"#,
        ],
        rotate: "console.twilio.com: Account, API keys & tokens: rotate the auth token",
        examples: &["TWILIO_AUTH_TOKEN={hex:32}"],
        counter_examples: &["TWILIO_AUTH_TOKEN=your_auth_token"],
        ..BASE
    },
    &Rule {
        code: "SEC057",
        id: "sendgrid-api-key",
        title: "SendGrid API key",
        impact: "Sends mail as your domain (phishing that passes SPF/DKIM) and reads contacts.",
        keywords: &["sg."],
        patterns: &[r"\b(?P<s>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)"],
        rotate: "app.sendgrid.com/settings/api_keys: delete the key",
        examples: &["SENDGRID_API_KEY=SG.{b64u:22}.{b64u:43}"],
        counter_examples: &["SENDGRID_API_KEY=SG.xxxxx"],
        ..BASE
    },
    &Rule {
        code: "SEC058",
        id: "mailgun-api-key",
        title: "Mailgun API key (known by its name)",
        impact: "Sends mail as your domain and reads the sending logs.",
        confidence: Confidence::Medium,
        kind: Kind::Context,
        keywords: &["mailgun"],
        patterns: &[
            r#"(?i)(?P<n>mailgun[a-z0-9_ .-]{0,20})["']?\s*[:=]\s*["'`]?(?P<s>(?:key-)?[0-9a-f]{32}(?:-[0-9a-f]{8}-[0-9a-f]{8})?)\b"#,
        ],
        rotate: "app.mailgun.com: API Security: delete the key",
        examples: &[
            "MAILGUN_API_KEY=key-{hex:32}",
            "MAILGUN_KEY={hex:32}-{hex:8}-{hex:8}",
        ],
        counter_examples: &[
            "MAILGUN_DOMAIN=mg.example.com",
            "curl -s --user 'api:key-3ax6xnjp29jd6fds4gc373sgvjxteol0' https://api.mailgun.net/v3/samples.mailgun.org/messages",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC059",
        id: "shopify-access-token",
        title: "Shopify access token",
        impact: "Reads and changes the store's orders, customers and products through the Admin API.",
        keywords: &["shpat_", "shpca_", "shppa_"],
        patterns: &[r"\b(?P<s>shp(?:at|ca|pa)_[a-fA-F0-9]{32})\b"],
        rotate: "Shopify admin: Apps, the custom app: uninstall/reinstall to rotate the token",
        examples: &["SHOPIFY_ACCESS_TOKEN=shpat_{hex:32}"],
        counter_examples: &["shpat_token"],
        ..BASE
    },
    &Rule {
        code: "SEC060",
        id: "shopify-shared-secret",
        title: "Shopify app shared secret",
        impact: "Forges webhooks and OAuth requests as the Shopify app.",
        keywords: &["shpss_"],
        patterns: &[r"\b(?P<s>shpss_[a-fA-F0-9]{32})\b"],
        rotate: "Shopify Partners: the app's API credentials: rotate the secret",
        examples: &["SHOPIFY_API_SECRET=shpss_{hex:32}"],
        counter_examples: &["shpss_secret"],
        ..BASE
    },
    &Rule {
        code: "SEC061",
        id: "linear-api-key",
        title: "Linear API key",
        impact: "Reads and writes the workspace's issues and projects as the user.",
        keywords: &["lin_api_"],
        patterns: &[r"\b(?P<s>lin_api_[A-Za-z0-9]{40})\b"],
        rotate: "linear.app: Settings, Security & access, Personal API keys: revoke",
        examples: &["LINEAR_API_KEY=lin_api_{a62:40}"],
        counter_examples: &["lin_api_key"],
        ..BASE
    },
];
