FROM ubuntu:latest
WORKDIR opt/app
RUN apt-get update && apt-get install --no-install-recommends python3=3.12.3-0ubuntu2 && rm -rf /var/lib/apt/lists/*
RUN apt update && apt install -y htop
COPY app.py .
EXPOSE 8000 70000
CMD ["python3", "app.py"]
