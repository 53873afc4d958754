set -e
grep -q '^CMD' Dockerfile || echo 'CMD ["python3", "-c", "print('"'"'Hello from a container'"'"')"]' >> Dockerfile
docker build -t hello-python .
docker run --rm hello-python
