FROM fedora:40
RUN zypper dist-upgrade
RUN zypper dup -y
RUN microdnf install foo
RUN dnf install -y foo && dnf clean all
RUN yum install -y bar && rm -rf /var/cache/yum
RUN dnf install -y foo-1.0 && rm -rf /var/cache/dnf
RUN yum groupinstall baz
RUN dnf module install -y nodejs:20
RUN microdnf install -y foo-1 && microdnf clean all
RUN zypper in -y foo=1 && zypper cc
RUN zypper --non-interactive install foo>=1
RUN yum install -y foo-1.2 && yum clean all
RUN dnf -y install bar
RUN yum localinstall -y /tmp/x.rpm
