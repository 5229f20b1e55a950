FROM ruby:3.3.6-bookworm
RUN gem install bundler:2.5.23 && gem install rake -v 13.2.1 && gem install rubocop
RUN go install golang.org/x/tools/gopls@v0.16.2 && go install honnef.co/go/tools/cmd/staticcheck
RUN yarn install
RUN yarn global add typescript@5.6.3 && yarn cache clean
WORKDIR /code
CMD ["bash"]
