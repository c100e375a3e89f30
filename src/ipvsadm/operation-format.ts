// An IPVS operation as the ipvsadm command line that asks for it: what
// `kipvs restore --dry-run` prints. Each line is itself a valid restore line and
// reads back as the same operation. Unlike the save format, thresholds are shown.
import type { IpvsOperation, RealServer } from '../ipvs/types.js';
import { hostPort, realServerRuleOptions, serviceOption, serviceRuleOptions } from './rule-text.js';

function thresholds(realServer: RealServer): string {
  return (
    (realServer.upperThreshold === 0 ? '' : ` -x ${realServer.upperThreshold}`) +
    (realServer.lowerThreshold === 0 ? '' : ` -y ${realServer.lowerThreshold}`)
  );
}

export function formatOperation(operation: IpvsOperation): string {
  switch (operation.op) {
    case 'add-service':
      return `-A ${serviceOption(operation.service.key)} ${serviceRuleOptions(operation.service)}`;
    case 'edit-service':
      return `-E ${serviceOption(operation.service.key)} ${serviceRuleOptions(operation.service)}`;
    case 'delete-service':
      return `-D ${serviceOption(operation.key)}`;
    case 'add-real-server':
      return `-a ${serviceOption(operation.service)} ${realServerRuleOptions(operation.realServer)}${thresholds(operation.realServer)}`;
    case 'edit-real-server':
      return `-e ${serviceOption(operation.service)} ${realServerRuleOptions(operation.realServer)}${thresholds(operation.realServer)}`;
    case 'delete-real-server': {
      const rs = operation.realServer;
      return `-d ${serviceOption(operation.service)} -r ${hostPort(rs.family, rs.address, rs.port)}`;
    }
    case 'flush':
      return '-C';
    case 'zero':
      return operation.service === undefined ? '-Z' : `-Z ${serviceOption(operation.service)}`;
    case 'set-timeouts': {
      const { tcp, tcpFin, udp } = operation.timeouts;
      return `--set ${tcp} ${tcpFin} ${udp}`;
    }
  }
}
