def hello(req):
    return "Hello, World!"
