import Stripe from "stripe";
import { loadStripe } from "@stripe/stripe-js";

export const stripe = new Stripe("⟦SEC044:sk_live_{a62:99}⟧", {
  apiVersion: "2024-06-20",
});

// Publishable keys are meant for the browser.
export const browser = loadStripe("pk_live_{a62:99}");

export function webhookSecret(): string {
  return process.env.STRIPE_WEBHOOK_SECRET ?? "";
}
