FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git=1:2.39.5-0+deb12u1 && rm -rf /var/lib/apt/lists/*
RUN cd /tmp && git clone https://github.com/example/tool.git && cd tool && make install
RUN echo "done" | tee /var/log/build.log
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN echo "again" | tee -a /var/log/build.log
CMD ["tool"]
