# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]
WORKDIR C:\app
RUN Invoke-WebRequest -Uri https://example.com/app.zip -OutFile app.zip ; `
    Expand-Archive app.zip -DestinationPath C:\app ; `
    Remove-Item app.zip
COPY config.json C:\app\
CMD ["C:\\app\\app.exe"]
