// envalid's cleanEnv, every validator it ships.
import { bool, cleanEnv, email, host, json, num, port, str, url } from "envalid";

export const env = cleanEnv(process.env, {
  FX_API_URL: url(),
  FX_PORT: port({ default: 8080 }),
  FX_DEBUG: bool({ default: false }),
  FX_RATE: num({ devDefault: 1 }),
  FX_SMTP_HOST: host({ default: "localhost" }),
  FX_FROM: email({ default: "ops@example.com" }),
  FX_FLAGS: json({ default: {} }),
  FX_STAGE: str({ choices: ["alpha", "beta", "ga"], testDefault: "alpha" }),
  FX_LABEL: str({ default: "" }),
});
