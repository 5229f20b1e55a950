FROM opensuse/leap:15.6
RUN zypper refresh && zypper install -y nginx=1.21.5 && zypper clean -a
RUN zypper -n in curl
RUN zypper install git
CMD ["nginx", "-g", "daemon off;"]
