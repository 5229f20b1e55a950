@echo off
set DOCKERHUB_USER=acmeci
set DOCKERHUB_TOKEN=⟦SEC065:dckr_pat_{b64u:27}⟧
docker login -u %DOCKERHUB_USER% -p %DOCKERHUB_TOKEN%
set NPM_CONFIG_USERCONFIG=%CD%\.npmrc
