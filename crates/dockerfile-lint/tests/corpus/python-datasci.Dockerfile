FROM ubuntu:22.04
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends python3=3.10.6-1~22.04 python3-pip=22.0.2+dfsg-1ubuntu0.4 && rm -rf /var/lib/apt/lists/*
RUN pip3 install --no-cache-dir numpy==1.26.4 pandas==2.2.2 scikit-learn
RUN python3 -m pip install --no-cache-dir jupyterlab
WORKDIR /work
EXPOSE 8888
CMD ["jupyter", "lab", "--ip=0.0.0.0", "--allow-root"]
