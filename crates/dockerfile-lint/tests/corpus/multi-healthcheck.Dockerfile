FROM python:3.13.1-alpine3.20
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
HEALTHCHECK --interval=30s CMD python healthcheck.py
HEALTHCHECK --interval=5s CMD python healthcheck.py
CMD ["python", "app.py"]
CMD ["python", "app.py", "--debug"]
ENTRYPOINT ["python"]
ENTRYPOINT ["python3"]
