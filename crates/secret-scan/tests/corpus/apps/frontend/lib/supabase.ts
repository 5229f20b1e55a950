import { createClient } from "@supabase/supabase-js";

// The anon key is public by design: row-level security guards the data.
export const supabase = createClient(
  "https://abcdefghijklmnop.supabase.co",
  "{jwt:anon}",
);

// Server only. Must never be here.
export const admin = createClient(
  process.env.NEXT_PUBLIC_SUPABASE_URL!,
  "⟦SEC016:{jwt:service_role}⟧",
);

export const publishable = "sb_publishable_{b64u:31}";
export const secretKey = "⟦SEC017:sb_secret_{b64u:31}⟧";
