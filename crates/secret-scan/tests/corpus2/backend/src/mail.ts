import nodemailer from "nodemailer";

export const transactional = nodemailer.createTransport({
  host: "smtp.sendgrid.net",
  port: 587,
  auth: { user: "apikey", pass: "⟦SEC057:SG.{b64u:22}.{b64u:43}⟧" },
});

export const bulk = nodemailer.createTransport({
  host: "smtp.mailgun.org",
  port: 587,
  auth: {
    user: "postmaster@mg.acme.dev",
    pass: "⟦SEC072:{a62:24}⟧",
  },
});

export const local = nodemailer.createTransport({
  host: "localhost",
  port: 1025,
  auth: { user: process.env.SMTP_USER, pass: process.env.SMTP_PASS },
});
