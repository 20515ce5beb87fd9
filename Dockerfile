# Kith's API as a container (used by docker-compose.yml).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /kith ./cmd/kith

FROM gcr.io/distroless/static-debian12
COPY --from=build /kith /kith
USER nonroot
EXPOSE 8080 9464
ENTRYPOINT ["/kith"]
CMD ["serve", "--demo-if-empty"]
