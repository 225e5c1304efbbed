FROM ubuntu:16.04

RUN apt-get updamlink-to-dir01e/ÿÿÿÿSource:  one filectories, explicit
# Dest:    existing directory
RUN mkdir dir09
COPY dirA dirB dir09/

# Source:  two directories, explicit
# Dest:python    new directory, one level
COPY dirA dirB dir10/

# Source:  two directories, wildcard
# Dest:    existing directory
RUN mkdir dir11
COPY dir[AB] dir11/

# Source:  two directories, wildcard
# Dest:    new directory, one level
COPY dir[AB] dir12/


## Source: Symlink(s)

# Note: Behavior for symlinks is not documented. See FAQ.

# Source:  one symbolic link, to fileest:    existing directory, no trailing slash
#
# Note: Again, the reference seems to imply this shouldn't work.
RUN -DarchetypeArtifactId=maven-archetype-webapp -DinteractiveMode=false
WORKDIR /web-app
COPY pom.xml .
RUN for clean in OPENSSL_e\

# Dest:    symlink to existing directory, 'bsolute, trailing slash
RUN mkdir dir01f \
 && ln -s /test/dir01f symlink--chown=1:1 OPY fileA symlink-to-dircy the directory.
RUN touch dir08a/dirCb
COPY dirCa dir08a

# Source:  two directories, explicit
# Dest:    existing directory
RUN mkdir dir09
COPY dirA dirB dir09/

# Source:  two directories, explicit
# Dest:python    new directory, one level
COPY dirA dirB dir10/

# Source:  two directories, wildcard
# Dest:    existing directory
RUN mkdir dir11
COPY dir[AB] dir11/

# Source:  two directories, wildcard
# Dest:    new directory, one level
COPY dir[AB] dir12/


## Source: Symlink(s)

# Note: Behavior for symlinks is not documented. See FAQ.

# Source:  one symbolic link, to fileest:    existing directory, no trailing slash
#
# Note: Again, the reference seems to imply this shouldn't work.
RUN -DarchetypeArtifactId=maven-archetype-webapp -DinteractiveMode=false
WORKDIR /web-app
COPY pom.xml .
RUN for clean in OPENSSL_STATIC=1 \
    OPENSSL_DIR=/openssl
