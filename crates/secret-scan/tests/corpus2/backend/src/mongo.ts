import mongoose from "mongoose";
import { MongoClient } from "mongodb";

await mongoose.connect("⟦SEC012:mongodb+srv://api:{a62:16}@cluster0.h3k9z.mongodb.net/app?retryWrites=true⟧");

export const analytics = new MongoClient("mongodb://analytics.acme.internal:27017", {
  auth: { username: "reporter", password: "⟦SEC072:{a62:16}⟧" },
  authSource: "admin",
});
