<#
.SYNOPSIS
  Installs the orchestrator agent as a Windows service (OrchestratorAgent) on a Windows host running Docker: the
  counterpart of `install.sh agent`, with the same options.
.DESCRIPTION
  From the unpacked bundle (auto-detected when this script runs from it, or -FromBundle DIR) it first checks the
  bundle's SHA256SUMS, then installs bin\win-x64\agent under -Prefix, writes the agent's settings to
  DATA-DIR\agent.env (NAME=value lines; readable by SYSTEM and Administrators only: the activation code is a secret)
  and registers the service as `Agent.exe --settings-file DATA-DIR\agent.env`, so nothing secret is on its command
  line. Which parameter becomes which setting is the table in agent-settings.txt next to this script (tests check it
  against the agent's own parser and install.sh). Run it again and the host keeps its identity; -Upgrade replaces the
  program of a host that joined (tasks' containers are adopted); -Uninstall deregisters the instance and removes it.
  The activation may come from the environment (ORCH_ACTIVATION_ID, ORCH_ACTIVATION_CODE) instead of parameters.
.EXAMPLE
  .\install.ps1 -Endpoint https://control-plane:7070 -Cluster default -ActivationId ID -ActivationCode CODE -CaFingerprint sha256:...
.EXAMPLE
  .\install.ps1 -Uninstall
#>
[CmdletBinding()]
param(
  [string]$Endpoint,
  [string]$Cluster,
  [string]$ActivationId = $env:ORCH_ACTIVATION_ID,
  [string]$ActivationCode = $env:ORCH_ACTIVATION_CODE,
  [string]$CaFingerprint,
  [string]$CaFile,
  [string]$Attributes,
  [string]$DockerHost,
  [string]$DataDir = (Join-Path $env:ProgramData "Orchestrator\agent"),
  [string]$Prefix = (Join-Path $env:ProgramFiles "Orchestrator"),
  [string]$From,
  [string]$FromBundle,
  [switch]$NoStart,
  [switch]$Upgrade,
  [switch]$Uninstall
)
$ErrorActionPreference = "Stop"
$ServiceName = "OrchestratorAgent"
$Rid = "win-x64"
$AgentDir = Join-Path $Prefix "bin\agent"
$Exe = Join-Path $AgentDir "Agent.exe"
$EnvFile = Join-Path $DataDir "agent.env"
$Joined = Test-Path (Join-Path $DataDir "pki\agent.crt")

# The table: install.ps1 parameter -> agent.env variable (-> install.sh option).
$Table = Get-Content (Join-Path $PSScriptRoot "agent-settings.txt") |
  Where-Object { $_ -and -not $_.StartsWith("#") } |
  ForEach-Object { $p = -split $_; [pscustomobject]@{ Parameter = $p[0]; Variable = $p[1] } }

function Fail([string]$Message, [int]$Code = 1) { Write-Error $Message -ErrorAction Continue; exit $Code }

function Stop-Agent {
  if (Get-Service -Name $ServiceName -ErrorAction SilentlyContinue) { Stop-Service -Name $ServiceName -ErrorAction SilentlyContinue }
}

if ($Uninstall) {
  Stop-Agent
  if ($Joined -and (Test-Path $Exe) -and (Test-Path $EnvFile)) {
    & $Exe --settings-file $EnvFile --deregister
    if ($LASTEXITCODE -ne 0) { Write-Warning "Could not deregister the container instance; deregister it with orch instance deregister --force." }
  }
  if (Get-Service -Name $ServiceName -ErrorAction SilentlyContinue) { sc.exe delete $ServiceName | Out-Null }
  # The data dir holds the host's private key: nothing secret stays behind.
  Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $AgentDir, $DataDir
  Write-Output "Removed the agent (program $AgentDir, settings and data $DataDir)."
  exit 0
}

# What an earlier install wrote wins where this run says nothing: a second run needs no parameters again.
if (Test-Path $EnvFile) {
  $previous = @{}
  Get-Content $EnvFile | Where-Object { $_ -match "^([A-Z_]+)=(.*)$" } | ForEach-Object { $previous[$Matches[1]] = $Matches[2] }
  foreach ($row in $Table) {
    if (-not (Get-Variable -Name $row.Parameter -ValueOnly) -and $previous.ContainsKey($row.Variable) -and $row.Variable -notlike "ORCH_ACTIVATION_*") {
      Set-Variable -Name $row.Parameter -Value $previous[$row.Variable]
    }
  }
}
if (-not $Cluster) { $Cluster = "default" }
if (-not $DockerHost) { $DockerHost = "npipe://./pipe/docker_engine" }
if (-not $Endpoint) { Fail "install.ps1 needs -Endpoint https://CONTROL-PLANE:7070" 2 }
if ($Upgrade -and -not $Joined) { Fail "Nothing to upgrade: this host has not joined ($DataDir\pki\agent.crt is missing); install it first." 2 }
if (-not $Joined -and $Endpoint.StartsWith("https://")) {
  if (-not $ActivationId -or -not $ActivationCode) { Fail "This host has not joined yet: give -ActivationId and -ActivationCode (orch activation create prints them)." 2 }
  if (-not $CaFingerprint -and -not $CaFile) { Fail "Give -CaFingerprint sha256:... (orch activation create prints it) or -CaFile: the agent must know the cluster CA." 2 }
}
if ($Joined) { $ActivationId = ""; $ActivationCode = "" }  # no longer needed, not written again
if ($CaFile) { $CaFile = (Resolve-Path $CaFile).Path }

# The program: from the bundle (checked against SHA256SUMS first) or a build folder.
if ($From) {
  $Source = $From
} else {
  if (-not $FromBundle -and (Test-Path (Join-Path $PSScriptRoot "SHA256SUMS"))) { $FromBundle = $PSScriptRoot }
  if (-not $FromBundle) { Fail "Run install.ps1 from an unpacked bundle, or give -FromBundle DIR or -From DIR." }
  $sums = Join-Path $FromBundle "SHA256SUMS"
  if (-not (Test-Path $sums)) { Fail "-FromBundle $FromBundle has no SHA256SUMS: not an unpacked bundle (deploy/bundle.sh)." }
  foreach ($line in Get-Content $sums) {
    $hash, $path = $line -split "\s+\*?", 2
    if ($path.StartsWith("bin/") -and -not $path.StartsWith("bin/$Rid/")) { continue }
    $file = Join-Path $FromBundle $path
    if (-not (Test-Path $file) -or (Get-FileHash -Algorithm SHA256 $file).Hash.ToLowerInvariant() -ne $hash) {
      Fail "The bundle $FromBundle does not match its SHA256SUMS ($path); nothing was installed."
    }
  }
  Write-Output "Checked the bundle $FromBundle against its SHA256SUMS ($Rid)."
  $Source = Join-Path $FromBundle "bin\$Rid\agent"
}
if (-not (Test-Path (Join-Path $Source "Agent.exe"))) { Fail "$Source holds no Agent.exe." }

# Docker: the agent runs tasks on it.
if ($DockerHost -like "npipe://*" -and -not (Test-Path ("\\.\pipe\" + ($DockerHost -replace "^npipe://\./pipe/", "")))) {
  Fail "No Docker engine answers at $DockerHost. Install Docker (Docker Engine or Docker Desktop) first."
}

Stop-Agent
New-Item -ItemType Directory -Force -Path $AgentDir, $DataDir | Out-Null
Remove-Item -Recurse -Force -ErrorAction SilentlyContinue "$AgentDir.new"
Copy-Item -Recurse -Force $Source "$AgentDir.new"
Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $AgentDir
Move-Item "$AgentDir.new" $AgentDir

# The settings: SYSTEM and Administrators only (icacls by SID, whatever the system's language).
icacls $DataDir /inheritance:r /grant:r "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F" | Out-Null
$lines = foreach ($row in $Table) {
  $value = Get-Variable -Name $row.Parameter -ValueOnly
  if ($value) { "$($row.Variable)=$value" }
}
# UTF-8 without a byte order mark, in Windows PowerShell 5.1 as in PowerShell 7.
[System.IO.File]::WriteAllLines("$EnvFile.new", [string[]]$lines)
Move-Item -Force "$EnvFile.new" $EnvFile

$binaryPath = "`"$Exe`" --settings-file `"$EnvFile`""
if (Get-Service -Name $ServiceName -ErrorAction SilentlyContinue) {
  sc.exe config $ServiceName binPath= $binaryPath start= auto | Out-Null
} else {
  New-Service -Name $ServiceName -DisplayName "Orchestrator agent" -StartupType Automatic `
    -Description "Runs this host's ECS tasks on Docker" -BinaryPathName $binaryPath | Out-Null
}
# Restart after a crash, like Restart=always on Linux.
sc.exe failure $ServiceName reset= 86400 actions= restart/2000/restart/2000/restart/2000 | Out-Null
if ($NoStart) { Write-Output "Installed the agent into $AgentDir (settings: $EnvFile); not started (-NoStart)."; exit 0 }

Start-Service -Name $ServiceName
if (-not $Endpoint.StartsWith("https://")) {
  # Plaintext (a development control plane): no certificate to wait for; it must still be running a moment later.
  Start-Sleep -Seconds 5
  if ((Get-Service -Name $ServiceName).Status -ne "Running") { Fail "The agent stopped: see the Application event log (source $ServiceName)." }
  Write-Output "The agent runs as the service $ServiceName (program $Exe, settings $EnvFile)."
  exit 0
}
# Joined once its client certificate is in the data dir (the agent writes it on registering).
$deadline = (Get-Date).AddSeconds(60)
while (-not (Test-Path (Join-Path $DataDir "pki\agent.crt")) -and (Get-Date) -lt $deadline) {
  if ((Get-Service -Name $ServiceName).Status -eq "Stopped") { Fail "The agent stopped without registering: see the Application event log (source $ServiceName)." }
  Start-Sleep -Milliseconds 500
}
if (-not (Test-Path (Join-Path $DataDir "pki\agent.crt"))) { Fail "The agent did not register within 60 s: see the Application event log (source $ServiceName)." }
Write-Output "The agent runs as the service $ServiceName (program $Exe, settings $EnvFile)."
if ($Joined) { Write-Output "This host had joined before: it kept its identity (no activation used)." }
if ($Upgrade) { Write-Output "Upgraded the agent in place: its running tasks' containers are adopted, not restarted." }
