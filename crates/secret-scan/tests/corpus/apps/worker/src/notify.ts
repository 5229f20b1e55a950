import { WebClient } from "@slack/web-api";

const slack = new WebClient("⟦SEC048:xoxb-{d:12}-{d:13}-{a62:24}⟧");
const DISCORD_WEBHOOK = "⟦SEC053:https://discord.com/api/webhooks/{d:19}/{b64u:68}⟧";
const TELEGRAM_BOT_TOKEN = "⟦SEC054:{d:10}:AA{b64u:33}⟧";
const TWILIO_API_KEY = "⟦SEC055:SK{hex:32}⟧";
const SENDGRID_API_KEY = "⟦SEC057:SG.{b64u:22}.{b64u:43}⟧";
const MAILGUN_API_KEY = "⟦SEC058:key-{hex:32}⟧";
const channelId = "C0123ABCD";
const threadTs = "1700000000.000100";

export { slack, DISCORD_WEBHOOK, TELEGRAM_BOT_TOKEN, TWILIO_API_KEY, SENDGRID_API_KEY, MAILGUN_API_KEY, channelId, threadTs };
