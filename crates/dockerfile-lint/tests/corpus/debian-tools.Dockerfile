FROM debian:bookworm-20241111
RUN apt-get update
RUN apt-get install -y curl wget
RUN wget https://example.com/tool.tar.gz && tar xzf tool.tar.gz
RUN curl -sSL https://example.com/install.sh | bash
RUN cd /opt && ls
USER root
CMD ["bash"]
COPY vendor/tools.tar.gz /tmp/
RUN tar -xzf /tmp/tools.tar.gz -C /usr/local && rm /tmp/tools.tar.gz
