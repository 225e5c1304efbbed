print("api ready")
