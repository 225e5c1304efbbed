CMD [ "echo", [ "nested json" ] ]
