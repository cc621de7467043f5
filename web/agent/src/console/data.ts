// The console's documents, as the livechat REST API lists them.
import { api } from '../lib/rest';

export interface TeamUser {
  _id: string;
  username: string;
  name?: string;
  emails?: { address: string }[];
  status?: string;
  statusLivechat?: string | null;
  /** The ids of the agent's departments. */
  departments?: string[];
  /** The agent's own data; `maxNumberSimultaneousChat`: its chat limit (0: none). */
  livechat?: { maxNumberSimultaneousChat?: number | string } | null;
}

/** An agent's own chat limit, 0 when it has none. */
export const agentLimit = (u: TeamUser): number => Number(u.livechat?.maxNumberSimultaneousChat ?? 0) || 0;

export interface Department {
  _id: string;
  name: string;
  enabled: boolean;
  description?: string;
  email: string;
  showOnRegistration: boolean;
  showOnOfflineForm: boolean;
  requestTagBeforeClosingChat?: boolean;
  chatClosingTags?: string[];
  fallbackForwardDepartment?: string;
  departmentsAllowedToForward?: string[];
  maxNumberSimultaneousChat?: number;
  numAgents?: number;
}

export interface DepartmentAgent {
  agentId: string;
  username: string;
}

export async function listUsers(kind: 'agent' | 'manager'): Promise<TeamUser[]> {
  const r = await api.get<{ users: TeamUser[] }>(`livechat/users/${kind}`, { count: 0, sort: '{"username":1}' });
  return r.users;
}

export async function listDepartments(): Promise<Department[]> {
  const r = await api.get<{ departments: Department[] }>('livechat/department', { count: 0 });
  return r.departments;
}

export async function departmentAgents(id: string): Promise<DepartmentAgent[]> {
  const r = await api.get<{ agents: DepartmentAgent[] }>(`livechat/department/${encodeURIComponent(id)}/agents`, {
    count: 0,
  });
  return r.agents;
}

/** Adds and removes agents of one department. */
export async function setDepartmentAgents(id: string, upsert: DepartmentAgent[], remove: DepartmentAgent[]) {
  if (upsert.length === 0 && remove.length === 0) return;
  await api.post(`livechat/department/${encodeURIComponent(id)}/agents`, { upsert, remove });
}

/** Puts one agent in exactly the departments listed. */
export async function setAgentDepartments(agent: DepartmentAgent, now: string[], wanted: string[]) {
  for (const d of wanted.filter((w) => !now.includes(w))) await setDepartmentAgents(d, [agent], []);
  for (const d of now.filter((n) => !wanted.includes(n))) await setDepartmentAgents(d, [], [agent]);
}

export const label = (u: { name?: string | undefined; username: string }) =>
  u.name && u.name !== u.username ? `${u.name} (${u.username})` : u.username;
