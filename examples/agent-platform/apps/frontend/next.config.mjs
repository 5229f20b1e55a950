/** @type {import('next').NextConfig} */
const nextConfig = {
  output: 'standalone',
  poweredByHeader: false,
  // Loaded by Node at run time rather than bundled (pino is on Next.js' own list already).
  serverExternalPackages: ['bullmq'],
};

export default nextConfig;
