FROM dtolnay/devcontainer:latest
