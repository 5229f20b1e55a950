# syntax=docker/dockerfile:1
# A worker image whose setup steps are heredoc scripts (one heredoc per RUN, as hadolint
# parses them): ShellCheck reads each body.
FROM node:22.11.0-slim
WORKDIR /app
RUN <<EOF
set -eu
apt-get update
cp $SRC /app
EOF

RUN <<EOF
#!/usr/bin/env bash
for f in $(ls /app); do echo $f; done
EOF

RUN python3 <<EOF
print("not shell: ShellCheck never sees it")
EOF

USER node
CMD ["node", "server.js"]
