set -e
sed -i '1s#.*#FROM debian:bookworm-slim#' Dockerfile
cat Dockerfile
