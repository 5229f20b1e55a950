import Stripe from "stripe";

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);
const reporting = new Stripe("⟦SEC046:rk_live_{a62:99}⟧");
const testStripe = new Stripe("⟦SEC045:sk_test_{a62:99}⟧");
export const publishableKey = "pk_test_{a62:99}";

export async function POST(req: Request) {
  const session = await stripe.checkout.sessions.create({ mode: "payment", line_items: [] });
  return Response.json({ id: session.id, reporting: !!reporting, test: !!testStripe });
}
