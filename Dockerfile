FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY projections projections
COPY api api
COPY infra infra
RUN pip install --no-cache-dir .
EXPOSE 8000
CMD ["gongzhi", "serve", "--host", "0.0.0.0", "--port", "8000"]
