FROM ubuntu:24.04
ONBUILD COPY . /app
ONBUILD RUN make -C /app
ONBUILD ONBUILD RUN echo nested
RUN ln -sf /bin/bash /bin/sh
RUN ps aux | grep nginx
RUN sudo -u nobody whoami
RUN useradd -u 1000000 -m bigid
RUN useradd -l -u 2000000 -m bigidok
CMD ["/bin/bash"]
