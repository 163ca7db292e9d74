"""The benchmark deploy for pyinfra: log in to the registry, copy the compose file, `docker compose up -d`
with VERSION, remove the file, log out — the same four steps as playbooks/deploy.yml.

pyinfra has no way to feed a command's stdin, so the password reaches `docker login --password-stdin`
through a here-document inside the command text (visible to `ps` on the host for the moment it runs).
"""
import os

from pyinfra.operations import files, server

version = os.environ["VERSION"]
password = os.environ["REGISTRY_PASSWORD"]
compose = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docker-compose.yml")

server.shell(
    name="Log in to the registry",
    commands=[f"docker login registry.example.com --username ci --password-stdin <<'SKIFF_EOF'\n{password}\nSKIFF_EOF"],
)
files.put(name="Copy the compose file", src=compose, dest="/tmp/docker-compose.yml", mode="640")
server.shell(
    name="Start the new version",
    commands=[f"VERSION={version} docker compose -p app -f /tmp/docker-compose.yml up -d"],
)
files.file(name="Remove the compose file", path="/tmp/docker-compose.yml", present=False)
server.shell(name="Log out of the registry", commands=["docker logout registry.example.com"])
