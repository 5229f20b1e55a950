module.exports = {
  production: {
    client: "pg",
    connection: {
      host: "pg-primary.acme.internal",
      user: "api",
      password: '⟦SEC072:{a62:18}⟧',
      database: "api",
    },
    pool: { min: 2, max: 10 },
  },
  staging: {
    client: "pg",
    connection: { host: "pg-staging", user: "api", password: process.env.PGPASSWORD },
  },
};
