<#
.SYNOPSIS
  Installs the orchestrator agent as a Windows service (for Windows container hosts running Docker).
.EXAMPLE
  .\install-agent.ps1 -Endpoint http://control-plane:7070 -Cluster default -Source .\bin\agent
#>
param(
  [Parameter(Mandatory = $true)][string]$Endpoint,
  [string]$Cluster = "default",
  [string]$Source = (Join-Path $PSScriptRoot "..\bin\agent"),
  [string]$InstallDir = "$env:ProgramFiles\Orchestrator\agent",
  [string]$DataDir = "$env:ProgramData\Orchestrator\agent",
  [string]$DockerHost = "npipe://./pipe/docker_engine"
)
$ErrorActionPreference = "Stop"

$name = "OrchestratorAgent"
if (Get-Service -Name $name -ErrorAction SilentlyContinue) {
  Stop-Service -Name $name -ErrorAction SilentlyContinue
  sc.exe delete $name | Out-Null
}

New-Item -ItemType Directory -Force -Path $InstallDir, $DataDir | Out-Null
Copy-Item -Recurse -Force (Join-Path $Source "*") $InstallDir

$exe = Join-Path $InstallDir "Agent.exe"
$arguments = "--endpoint `"$Endpoint`" --cluster `"$Cluster`" --data-dir `"$DataDir`" --docker-host `"$DockerHost`""
New-Service -Name $name -DisplayName "Orchestrator agent" -StartupType Automatic `
  -Description "Runs this host's ECS tasks on Docker" -BinaryPathName "`"$exe`" $arguments" | Out-Null
# Restart after a crash, like Restart=always on Linux.
sc.exe failure $name reset= 86400 actions= restart/2000/restart/2000/restart/2000 | Out-Null
Start-Service -Name $name
Get-Service -Name $name
